# file header comment

# second header paragraph
scheme "comments" # trailing on scheme
seed 1  # trailing on seed

genome { # after the brace
  chromosomes 2  # two
  # before length
  length 1 M
} # after the block

const a = 1 +
  # inside an expression
  2

repeat cycle 1..2 { # start the loop
  # before select
  select p = top 5 by gv   # best five
  cross p
  # before the closing brace
}   # loop done

trait t { qtl 1 } # short block, stays on one line
# last words
