moved {
  from = {{ b.from }}
  to   = {{ b.to }}
}
