export { CommandPublisher, type CommandPublisherOptions, type SentMessage } from './CommandPublisher';
