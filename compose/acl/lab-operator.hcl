# The operator's step, once per lab (compose's consul-seed, local.sh up --secure): seed and edit
# lab_settings. The services' tokens may only read it.
key "lab_settings" {
  policy = "write"
}
key "cluster_nodes" {
  policy = "read"
}
