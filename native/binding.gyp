{
  "targets": [
    {
      "target_name": "finetune_native",
      "sources": ["src/addon.cc", "src/sgemm.cc", "src/rows.cc", "src/elementwise.cc", "src/copy.cc", "src/fused.cc", "src/addon_fused.cc", "src/thread_pool.cc"],
      "cflags_cc!": ["-fno-exceptions", "-O2", "-O0"],
      "cflags_cc": ["-O3", "-std=c++17", "-fexceptions", "-fno-math-errno", "-fno-trapping-math"],
      "conditions": [
        ["OS!='win' and target_arch=='x64' and '<!(node -p \"process.env.FINETUNE_STUDIO_PORTABLE_NATIVE || ''\")'==''", {
          "cflags_cc": ["-march=native"]
        }],
        ["OS=='mac'", {
          "xcode_settings": {
            "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "OTHER_CPLUSPLUSFLAGS": ["-O3", "-mcpu=native"]
          }
        }],
        ["OS=='win'", {
          "msvs_settings": { "VCCLCompilerTool": { "Optimization": 2, "AdditionalOptions": ["/std:c++17"] } }
        }]
      ]
    }
  ]
}
