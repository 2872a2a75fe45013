// The process's one outbox sender: every command that opens the state delivers what is
// pending, so events a killed or offline run left behind go out with the next command.
#include "cli/cli.h"
#include "notify/outbox_sender.h"
#include "notify/signature.h"

#include <cstdlib>
#include <memory>
#include <mutex>

namespace vodctl::cli {
namespace {

std::mutex sender_mutex;
std::unique_ptr<notify::OutboxSender> sender;

}  // namespace

void StartNotifications(const std::string& state_path) {
  // Without the secret nothing can be signed; deliveries wait in the outbox (status shows
  // them) for a command that has it.
  const char* secret = std::getenv(notify::kSecretVariable);
  if (secret == nullptr || *secret == '\0') return;
  std::lock_guard lock(sender_mutex);
  if (sender) return;
  notify::SenderOptions options;
  options.state_path = state_path;
  options.secret = secret;
  sender = std::make_unique<notify::OutboxSender>(std::move(options));
}

void FinishNotifications() {
  std::lock_guard lock(sender_mutex);
  if (sender) sender->Finish();
  sender.reset();
}

}  // namespace vodctl::cli
