founders elite from file "elite\x4.vcf"
