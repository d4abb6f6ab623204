"""Government notices (政务通知): a government office publishes notices to chosen communities
(or its whole alliance); residents read and acknowledge them, leaders and stores serving those
communities forward them to their groups, and the office sees aggregated reach.

See docs/plugins/builtin/gov_notices.md.
"""
