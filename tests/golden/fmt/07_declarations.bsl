founders elite from file "elite_lines.vcf"  map "elite_map.csv"
founders panel from file "panel.bed" { sample 100 }
founders synthetic from model gen
environment trials { locations 4  years 1  gxe 0.2 }
param w = 1 in [0, 2]
param h[cycle 1..4] = [a, b] in [-1, 1] start 0.5
optimize w with stosoo { maximize gain  evaluations 100 }
objective gain = mean(gv(yield)) at cycle 4
report { mean(gv) }
