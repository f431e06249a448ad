{
  "targets": [
    {
      "target_name": "tun",
      "sources": ["tun.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
