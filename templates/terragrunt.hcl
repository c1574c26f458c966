{{ header|comment }}

include "root" {
  path = find_in_parent_folders()
}

dependency {{ stack.terragrunt.dependency }} {
  config_path  = {{ "../" ~ stack.terragrunt.dependency }}
  skip_outputs = true
}
