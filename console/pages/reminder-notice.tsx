import type { CompiledProcess, InstanceView } from '../../engine/index.js'
import { WithTime } from '../format.js'
import type { PageContext } from '../view.js'

/**
 * The reminder sent to the viewer about a pending deadline ("Reminder: the system will perform
 * “Confirm” on 15 Jan unless you act"), or nothing. The engine puts `view.reminder` only in the
 * views of the roles the reminder was for, so a page shows it to the party concerned alone.
 */
export function ReminderNotice({ page, view, process }: { page: PageContext; view: InstanceView; process: CompiledProcess }) {
  const { t } = page
  const reminder = view.reminder
  if (!reminder || view.status !== 'active') return <></>
  const text = reminder.kind === 'timeout'
    ? t.reminder.timeout(process.steps.get(view.step?.id ?? '')?.actions.get(reminder.name)?.title ?? reminder.name)
    : t.reminder.window(process.windows.get(reminder.name)?.title ?? reminder.name)
  return (
    <p class="notice reminder" role="status">
      <WithTime at={reminder.due} zone={process.timeZone} locale={page.locale} text={text} />{' '}
      <span class="zone">{t.aside(t.deadline.processZone(process.timeZone))}</span>
    </p>
  )
}
