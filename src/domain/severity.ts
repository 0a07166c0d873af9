/** How bad a peer-state alert or an alert rule's level is, least first. */
export type Severity = 'info' | 'warning' | 'critical'
export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical']
