"""The supervisors' review of flags: transitions, deadlines, the queue and notifications.

- ``models``: deadline settings (days to resolve per severity) and each person's
  notification preferences; a violation's own fields live in ``burden.rules.models``.
- ``services``: the one place the review rules live (who may move a flag where,
  waivers, comments, expired waivers, deadline changes); the pages and the API call it.
- ``selectors``: reads that span relations (overdue and due dates in SQL, the bell,
  notifications, the digest's contents).
- ``filters``, ``forms``, ``views``, ``urls``: the pages under ``/review/``.
- ``tasks``: the daily schedules (expired waivers, the e-mail digest).
"""
