/** Several PDP instances: forwarding of EAP conversations to their owner (docs/cluster.md). */
import type { Logger } from '../logging.js';
import type { ClusterNode, ClusterDropEvent } from './cluster-node.js';
import type { ForwardEvent } from './cluster-router.js';

export { ClusterNode, type ClusterNodeOptions, type ForwardOutcome, type ClusterDropEvent } from './cluster-node.js';
export { clusterAccessHandler, ownerToAsk, type ForwardEvent } from './cluster-router.js';
export { clusterKey, decodeClusterMessage, encodeClusterMessage, ClusterDecodeError, ClusterMessageType } from './cluster-message.js';

/**
 * Log lines for the cluster's events. Dropped messages (forged, replayed, stale ...) are logged at
 * most once a second per reason and source, so a flood cannot flood the log. Never logs the secret.
 */
export function logClusterEvents(node: ClusterNode, log: Logger): (ev: ForwardEvent) => void {
  const last = new Map<string, number>();
  node.on('listening', (ev) => log.info({ event: 'cluster.listening', instanceId: node.instanceId, ...ev }, `cluster instance ${node.instanceId} listening on ${ev.address}:${ev.port}/udp`));
  node.on('peer-up', (ev) => log.info({ event: 'cluster.peer-up', peer: ev.id }, `cluster instance ${ev.id} is up`));
  node.on('peer-down', (ev) => log.warn({ event: 'cluster.peer-down', peer: ev.id }, `cluster instance ${ev.id} is down: its conversations end in Access-Reject`));
  node.on('dropped', (ev: ClusterDropEvent) => {
    const key = `${ev.reason}|${ev.address}:${ev.port}`;
    const t = Date.now();
    if ((last.get(key) ?? 0) > t - 1000) return;
    if (last.size > 10_000) last.clear();
    last.set(key, t);
    log.warn({ event: 'cluster.dropped', ...ev }, `dropped cluster message from ${ev.address}:${ev.port}: ${ev.reason}${ev.detail ? ` - ${ev.detail}` : ''}`);
  });
  return (ev) => {
    const level = ev.outcome === 'reply' ? 'debug' : 'warn';
    log[level]({ event: 'cluster.forwarded', ...ev }, `request from ${ev.client} forwarded to instance ${ev.owner}: ${ev.outcome}`);
  };
}
