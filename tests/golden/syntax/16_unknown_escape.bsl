scheme "a \q b"
