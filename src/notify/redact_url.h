// URLs as they may be shown: a notify URL can carry a password or a token (in its user
// part or its query), and neither may reach a log, `status`, `events` or an event body.
#pragma once

#include <string>

namespace vodctl::notify {

// "https://user:pw@host/hook?token=x" -> "https://***@host/hook?***". Other URLs unchanged.
std::string RedactUrl(const std::string& url);

}  // namespace vodctl::notify
