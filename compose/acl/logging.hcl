# logging-service: registers its own instances and keeps their TTL checks passing, reads
# lab_settings, and writes the Hazelcast members' status (its own key, cluster_nodes).
service "logging-service" {
  policy = "write"
}
key "lab_settings" {
  policy = "read"
}
key "cluster_nodes" {
  policy = "write"
}
key_prefix "config/logging-service/" {
  policy = "read"
}
