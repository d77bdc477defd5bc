{
  "targets": [
    {
      "target_name": "copydesk_native",
      "sources": ["src/copydesk_native.c"],
      "cflags": ["-O3", "-march=native", "-ffast-math", "-fno-finite-math-only", "-fopenmp-simd", "-std=c11"],
      "defines": ["COPYDESK_OPENBLAS", "NAPI_VERSION=8"],
      "include_dirs": ["<!@(node -e \"process.stdout.write(process.env.COPYDESK_BLAS_INCLUDE || '/usr/include/x86_64-linux-gnu /usr/include/openblas /usr/include')\")"],
      "libraries": ["-lopenblas", "-lm"]
    }
  ]
}
