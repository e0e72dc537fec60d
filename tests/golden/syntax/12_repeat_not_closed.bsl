repeat cycle 1..4 {
  select parents = top 15 by gv
  cross parents
