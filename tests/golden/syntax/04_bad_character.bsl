seed 2024
replicates 10 @ 2
