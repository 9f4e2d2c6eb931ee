"""Every write of the programmes app (views and tasks stay thin):

- ``organisations``: an organisation's members and invitations;
- ``programmes``: programmes, invitees, joining (a grant) and declining, and the runs a
  submission gets under a programme's scheme version;
- ``reminders``: the beat's reminders on the mail queue;
- ``reports``: the cohort summary PDF asked for and swept (``rendering`` renders it on a worker);
- ``imports``: spreadsheets of indicator values, written as drafts the enterprises submit.
"""
