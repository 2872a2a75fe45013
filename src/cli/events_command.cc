#include "cli/cli.h"
#include "notify/event_feed.h"

#include <iostream>

namespace vodctl::cli {

void AddEventsCommand(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* command = app.add_subcommand(
      "events", "Show the events the CMS hears (job.created, job.progress, job.done, ...)");
  auto filter = std::make_shared<notify::FeedFilter>();
  auto follow = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  command->add_option("--job", filter->job_id, "Only this job");
  command->add_option("--since", filter->after_sequence,
                      "Only events numbered above SEQ in their job");
  command->add_flag("--follow,-f", *follow, "Keep printing new events until interrupted");
  command->add_flag("--json", *json,
                    "Each event's JSON document, as webhooks carry it, a line each");
  command->callback([&global, &action, filter, follow, json]() {
    action = [&global, filter, follow, json]() {
      auto state = OpenState(global);
      notify::ReadFeed(*state, *filter, *follow, [&](const OutboxEvent& event) {
        std::cout << (*json ? event.body : notify::EventLine(event)) << std::endl;
      });
      return 0;
    };
  });
}

}  // namespace vodctl::cli
