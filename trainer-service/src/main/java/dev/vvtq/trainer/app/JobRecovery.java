package dev.vvtq.trainer.app;

import dev.vvtq.trainer.jobs.JobManager;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;

/** At start-up, takes over the jobs a previous process of the service left unfinished. */
@ApplicationScoped
public class JobRecovery {
  void onStart(@Observes StartupEvent event, JobManager jobs, TrainerConfig config) {
    try {
      jobs.recover(config.resumeInterrupted());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the job records of " + config.store().location(), e);
    }
  }
}
