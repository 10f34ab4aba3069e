"""Backprop Lab's autograder: student checks, release, grading, feedback and reports.

Stages, one module each:
  checks     student-facing gradient checks with messages that name the mistake
  check      a student's run of one lesson from a terminal: visible tests per function
  workspace  the student's own copies of the lessons in work/, never overwritten
  reference  the reference solutions, read from ``solutions/`` for the judge
  hidden     ``@hidden_test``: hidden tests that record in the kernel and are judged outside it
  release    ``solutions/`` -> ``lessons/`` with nbgrader's generate_assignment
  execute    nbgrader's Execute step with per-submission limits and incident records
  forkserver grading kernels forked from one warm template process
  sandbox    the limits and bubblewrap walls a grading kernel lives inside
  judge      nbgrader step that scores hidden tests from the kernel's records
  grade      a whole class through nbgrader autograde, in parallel, into one gradebook
  feedback   per-student feedback pages
  report     the instructor's report of what the class got wrong
  synthetic  synthetic submissions (complete, stubs, known mistakes) for demo and tests
  cli        ``python -m autograder ...``
"""
