# facade-service: registers its own instances and keeps their TTL checks passing, finds the
# passing logging and messages instances, reads lab_settings. Nothing else: it cannot write any
# key, register or deregister another service, or read the other services' config.
service "facade-service" {
  policy = "write"
}
service "logging-service" {
  policy = "read"
}
service "messages-service" {
  policy = "read"
}
# A health answer lists each instance with its node; Consul drops the instances on nodes the
# token cannot read.
node_prefix "" {
  policy = "read"
}
key "lab_settings" {
  policy = "read"
}
key_prefix "config/facade-service/" {
  policy = "read"
}
