"""bakery_club: a bakery's fan club (烘焙爱好者俱乐部) on the alliance kernel.

Tiers with a member discount, residents joining and leaving, ambassadors (推广大使) with
referral codes, tastings and workshops with seats and a waitlist, free samples, UGC posts
moderated by the bakery, and a points ledger. Works alone; with ``groupbuy`` and
``revenue_share`` it cooperates through hooks and events only. See
docs/plugins/builtin/bakery_club.md.
"""
