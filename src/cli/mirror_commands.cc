// push, pull: share an hf://datasets/OWNER/REPO catalog through its Hub repository (the local
// mirror folder is --mirror, FACEBERG_MIRROR or .faceberg/).
#include <fmt/format.h>

#include "bridge/mirror.h"
#include "cli/context.h"
#include "util/strings.h"

namespace faceberg::cli {

namespace {

Result<bridge::MirrorOptions> MirrorOf(const Context& ctx) {
  std::string location = ctx.CatalogLocation();
  if (!StartsWith(location, "hf://")) {
    return InvalidArgument(
        "push and pull share an hf:// catalog, and the catalog is {}: pass --catalog "
        "hf://datasets/OWNER/REPO (or set FACEBERG_CATALOG)",
        location);
  }
  while (EndsWith(location, "/")) location.pop_back();
  bridge::MirrorOptions options;
  options.repo_uri = location;
  options.mirror = ctx.MirrorFolder();
  return options;
}

std::string Short(const std::string& commit) { return commit.substr(0, 12); }

OrderedJson ChangesJson(const bridge::MirrorChanges& changes) {
  return OrderedJson{
      {"added", changes.added}, {"modified", changes.modified}, {"deleted", changes.deleted}};
}

Status RunPush(Context& ctx) {
  ASSIGN_OR_RETURN(bridge::MirrorOptions options, MirrorOf(ctx));
  ASSIGN_OR_RETURN(auto api, ctx.HubApi());
  ASSIGN_OR_RETURN(bridge::PushResult pushed, bridge::PushMirror(*api, options));
  if (ctx.options().json) {
    OrderedJson j{{"catalog", options.repo_uri},
                  {"mirror", options.mirror},
                  {"commit", pushed.commit},
                  {"nothing-to-push", pushed.nothing_to_push},
                  {"pushed", ChangesJson(pushed.pushed)},
                  {"merged", pushed.merged},
                  {"attempts", pushed.attempts}};
    ctx.PrintJson(j);
    return Status::OK();
  }
  if (pushed.nothing_to_push) {
    ctx.Print(fmt::format("nothing to push: {} matches {} at commit {}", options.mirror,
                          options.repo_uri, Short(pushed.commit)));
    return Status::OK();
  }
  if (!pushed.merged.empty()) {
    ctx.Print(fmt::format("took {} file(s) changed on the Hub by others into {}",
                          pushed.merged.size(), options.mirror));
  }
  const auto& c = pushed.pushed;
  ctx.Print(fmt::format("pushed {} file(s) to {} ({} added, {} modified, {} deleted): commit {}",
                        c.size(), options.repo_uri, c.added.size(), c.modified.size(),
                        c.deleted.size(), Short(pushed.commit)));
  return Status::OK();
}

Status RunPull(Context& ctx, bool force) {
  ASSIGN_OR_RETURN(bridge::MirrorOptions options, MirrorOf(ctx));
  options.discard_local_changes = force;
  ASSIGN_OR_RETURN(auto api, ctx.HubApi());
  ASSIGN_OR_RETURN(bridge::PullResult pulled, bridge::PullMirror(*api, options));
  if (ctx.options().json) {
    ctx.PrintJson(OrderedJson{{"catalog", options.repo_uri},
                              {"mirror", options.mirror},
                              {"commit", pulled.commit},
                              {"up-to-date", pulled.up_to_date},
                              {"files", pulled.files},
                              {"discarded", ChangesJson(pulled.discarded)}});
    return Status::OK();
  }
  if (pulled.up_to_date) {
    ctx.Print(fmt::format("already up to date: {} matches {} at commit {}", options.mirror,
                          options.repo_uri, Short(pulled.commit)));
    return Status::OK();
  }
  std::string line = fmt::format("pulled {} at commit {} into {} ({} files)", options.repo_uri,
                                 Short(pulled.commit), options.mirror, pulled.files);
  if (!pulled.discarded.empty()) {
    line += fmt::format("; discarded {} local change(s)", pulled.discarded.size());
  }
  ctx.Print(line);
  return Status::OK();
}

}  // namespace

void RegisterMirrorCommands(CLI::App& app, std::vector<std::pair<CLI::App*, CommandRunner>>* out) {
  auto* push = app.add_subcommand(
      "push", "push the catalog's local changes to its HF repo in one commit (hf:// catalogs)");
  push->footer(
      "The catalog is --catalog hf://datasets/OWNER/REPO; its local mirror is --mirror DIR "
      "(default: $FACEBERG_MIRROR, .faceberg/). Changes others pushed meanwhile to other tables "
      "are merged; a table changed on both sides is a conflict that changes nothing.\n"
      "Example: faceberg --catalog hf://datasets/alice/catalog push");
  out->emplace_back(push, [](Context& ctx) { return RunPush(ctx); });

  auto* pull = app.add_subcommand(
      "pull", "replace the local mirror with the catalog in its HF repo (hf:// catalogs)");
  auto force = std::make_shared<bool>(false);
  pull->add_flag("--force", *force, "discard unpushed local changes");
  pull->footer(
      "The mirror (--mirror DIR, $FACEBERG_MIRROR, .faceberg/) is replaced whole, in one rename. "
      "Refused when it has unpushed changes, unless --force.\n"
      "Example: faceberg --catalog hf://datasets/alice/catalog pull");
  out->emplace_back(pull, [force](Context& ctx) { return RunPull(ctx, *force); });
}

}  // namespace faceberg::cli
