repeat cycle 1.5..4 {
  cross pairs
}
