objective gain = mean(gv(yield) at cycle 4
