export {
  ensurePartitionsAround,
  ensurePartitionsFor,
  partitionSummary,
  type PartitionSummary,
} from './partitions.ts';
