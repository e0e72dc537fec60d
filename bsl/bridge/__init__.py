"""The bridge to R: run results converted to R objects (`.rds`) through rpy2, which stays optional."""
