scheme "demo"
seeed 2024
