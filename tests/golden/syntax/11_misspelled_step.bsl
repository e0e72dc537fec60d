repeat cycle 1..4 {
  selct parents = top 15 by gv
}
