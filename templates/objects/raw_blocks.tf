{{ b.raw.text|raw_hcl }}
