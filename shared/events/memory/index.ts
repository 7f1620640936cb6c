export { MemoryEventPublisher } from './memory-event-publisher.js';
