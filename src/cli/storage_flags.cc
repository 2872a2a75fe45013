#include "cli/cli.h"
#include "storage/s3_storage.h"

#include <map>
#include <string>

namespace vodctl::cli {

void AddStorageFlags(CLI::App& app, std::map<std::string, std::string>& s3_settings) {
  // Each flag is another name for an environment variable S3ConfigFor reads, so a setting
  // means the same whichever way it is given, and the flag wins.
  struct Flag {
    const char* name;
    const char* variable;
    const char* help;
  };
  static constexpr Flag kFlags[] = {
      {"--s3-endpoint", "AWS_ENDPOINT_URL_S3",
       "S3 endpoint URL for s3:// URLs, e.g. http://127.0.0.1:9000 (env AWS_ENDPOINT_URL_S3)"},
      {"--s3-region", "AWS_REGION", "Region S3 requests are signed for (env AWS_REGION)"},
      {"--s3-addressing", "VODCTL_S3_ADDRESSING",
       "path or virtual: force S3 path-style or virtual-hosted addressing"},
      {"--ca-bundle", "AWS_CA_BUNDLE",
       "PEM file of the TLS authorities to trust (env AWS_CA_BUNDLE, else SSL_CERT_FILE, else "
       "the system's usual bundle)"},
      {"--s3-part-size", "VODCTL_S3_PART_SIZE",
       "Multipart upload part size in MiB, 5 to 5120 (default 64)"},
      {"--s3-upload-connections", "VODCTL_S3_UPLOAD_CONNECTIONS",
       "Parts of one multipart upload sent at once, 1 to 64 (default 4)"},
      {"--s3-payload-signing", "VODCTL_S3_PAYLOAD_SIGNING",
       "always, never or auto (default): sign the SHA-256 of uploaded files; auto signs over "
       "http only, TLS vouching for the bytes over https"},
  };
  for (const Flag& flag : kFlags) {
    app.add_option_function<std::string>(
        flag.name,
        [&s3_settings, variable = flag.variable](const std::string& value) {
          s3_settings[variable] = value;
        },
        flag.help);
  }
}

}  // namespace vodctl::cli
