# messages-service: registers its own instances and keeps their TTL checks passing, reads
# lab_settings.
service "messages-service" {
  policy = "write"
}
key "lab_settings" {
  policy = "read"
}
key_prefix "config/messages-service/" {
  policy = "read"
}
