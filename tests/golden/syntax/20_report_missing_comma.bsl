report { per_cycle mean(gv) var(gv) }
