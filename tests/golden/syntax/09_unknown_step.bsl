repeat cycle 1..4 {
  predict gebv = gblup(yield)
}
