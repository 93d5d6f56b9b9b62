"""Nightly schedule for industrialised sources: re-ingest the running month (and the one before,
which AWS restates after it closes). Stopped by default: a source is scheduled only once a person
has approved it after its learning phase."""


from dagster import DefaultScheduleStatus, RunRequest, ScheduleEvaluationContext, schedule

from carbon_pipeline.partitions import partition_key_of


def build_schedules(monthly_job) -> list:
    @schedule(job=monthly_job, cron_schedule="0 3 * * *", default_status=DefaultScheduleStatus.STOPPED,
              execution_timezone="UTC")
    def nightly_current_and_previous_month(context: ScheduleEvaluationContext):
        now = context.scheduled_execution_time
        current = f"{now.year:04d}-{now.month:02d}"
        prev_year, prev_month = (now.year, now.month - 1) if now.month > 1 else (now.year - 1, 12)
        previous = f"{prev_year:04d}-{prev_month:02d}"
        for month in (previous, current):
            yield RunRequest(run_key=f"{month}@{now:%Y-%m-%d}", partition_key=partition_key_of(month))

    return [nightly_current_and_previous_month]
