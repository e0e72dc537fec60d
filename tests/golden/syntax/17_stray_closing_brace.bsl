seed 1
}
