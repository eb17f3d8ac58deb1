package dev.vvtq.trainer.jobs;

/** Does the work of one kind of job, on a scheduler thread. */
interface JobRunner {
  /** Runs the job to its end; a thrown exception fails it with the exception's message. */
  JobOutcome run(Job job) throws Exception;
}
