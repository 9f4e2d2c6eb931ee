"""What the evaluations app announces to apps above it, so they add their part without this app
importing them (imports point down).

``assessment_submitted`` is sent inside the submission's transaction, after its run was created:
a receiver's writes commit or roll back with the submission (``programmes`` adds a run under a
programme's scheme version there).

``run_finished`` is sent once a run has ended (succeeded or failed), after the transaction that
ended it has committed, never inside it: a receiver (``api``'s webhooks) queues its own work and
cannot make the run's end roll back. ``result_verified`` likewise, once an analyst (or the
platform) has verified a submission.
"""

from django.dispatch import Signal

# kwargs: assessment, run (the submission's run), user
assessment_submitted = Signal()

# kwargs: run_id, status ("succeeded" or "failed"); sent on commit
run_finished = Signal()

# kwargs: verification_id; sent on commit once a verification is decided "verified"
result_verified = Signal()
