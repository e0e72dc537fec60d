# founder file, map and QTL table that do not exist
founders elite from file "no_such_lines.csv" map "no_such_map.csv"
trait yield { qtl "no_such_qtl.csv" }
repeat cycle 1..1 {
  mate crosses = random(10) over elite
  cross crosses
}
