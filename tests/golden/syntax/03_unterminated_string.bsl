scheme "demo
seed 1
