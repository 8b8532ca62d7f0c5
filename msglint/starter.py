"""Files `msglint init` writes: a project config and a profile to edit."""

CONFIG_TEMPLATE = """\
# msglint project configuration. Paths are relative to this file.
# Docs: https://github.com/msglint/msglint/blob/main/docs/config.md
profile: {profile}
# overrides:                      # later entries win
#   - paths: ["enterprise/**"]
#     profile: profiles/enterprise.yaml
exclude: []
# assets: ["campaigns/**/*.yaml"]  # YAML/JSON campaign assets to lint
# rules:                           # per-check severity, or off
#   empty-praise: info
"""

PROFILE_TEMPLATE = """\
# A segment profile: what these readers value (drivers) and what they do not buy (off_target).
# Theme ids: run `msglint rules`. Schema for your editor: `msglint schema profile`.
id: {name}
name: our customers           # who these readers are, in a few words: messages say it
drivers:                      # theme id: weight (or weight + how the segment says it)
  time-savings:
    weight: 3
    say: hours back every week
  ease-of-use: 2
  peace-of-mind: 1
off_target:                   # theme id: why they don't buy it, and what to say instead
  operational-efficiency:
    reason: efficiency is the vendor's metric; these readers want their evenings back
    reframe: "Say what the saved hours buy: 'Finish by five.'"
voice:
  target: 0.6                 # lowest acceptable customer focus, 0-1
min_score: 60
"""
