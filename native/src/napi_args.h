// Argument reading shared by the N-API entry points: typed arrays are checked for their element type, and a
// failure throws a TypeError naming the argument.
#pragma once
#include <node_api.h>

#include <cstdint>
#include <string>

namespace ftn {

struct Args {
  napi_env env;
  napi_value values[16];
  size_t count = 16;
  bool failed = false;
};

inline bool fail(napi_env env, const std::string& message) {
  napi_throw_type_error(env, nullptr, message.c_str());
  return false;
}

inline bool read_args(napi_env env, napi_callback_info info, Args& args, size_t expected, const char* name) {
  args.env = env;
  napi_get_cb_info(env, info, &args.count, args.values, nullptr, nullptr);
  if (args.count < expected) {
    return fail(env, std::string(name) + ": expected " + std::to_string(expected) + " arguments");
  }
  return true;
}

template <typename T>
bool typed(napi_env env, napi_value value, napi_typedarray_type want, T** data, size_t* length, const char* what) {
  bool is_typed = false;
  napi_is_typedarray(env, value, &is_typed);
  if (!is_typed) return fail(env, std::string(what) + " must be a typed array");
  napi_typedarray_type type;
  void* raw = nullptr;
  napi_get_typedarray_info(env, value, &type, length, &raw, nullptr, nullptr);
  if (type != want) return fail(env, std::string(what) + (want == napi_float32_array ? " must be a Float32Array" : " must be an Int32Array"));
  *data = static_cast<T*>(raw);
  return true;
}

inline int64_t integer(napi_env env, napi_value value) {
  int64_t out = 0;
  napi_get_value_int64(env, value, &out);
  return out;
}

inline bool boolean(napi_env env, napi_value value) {
  bool out = false;
  napi_get_value_bool(env, value, &out);
  return out;
}

inline double number(napi_env env, napi_value value) {
  double out = 0;
  napi_get_value_double(env, value, &out);
  return out;
}

// Registers the fused kernels (addon_fused.cc) on exports.
void define_fused(napi_env env, napi_value exports);

}  // namespace ftn
