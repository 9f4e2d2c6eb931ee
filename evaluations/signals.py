"""What the evaluations app announces to apps above it, so they add their part without this app
importing them (imports point down).

``assessment_submitted`` is sent inside the submission's transaction, after its run was created:
a receiver's writes commit or roll back with the submission (``programmes`` adds a run under a
programme's scheme version there).
"""

from django.dispatch import Signal

# kwargs: assessment, run (the submission's run), user
assessment_submitted = Signal()
