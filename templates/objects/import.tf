import {
  to = {{ b.to }}
  id = {{ b.id }}
}
