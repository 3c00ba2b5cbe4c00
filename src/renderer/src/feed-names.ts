/** Display names for feed states and venues, from the contract in src/common. */
export { FEED_STATE_NAMES, FeedState } from '../../common/feed-model.ts';
export { venueName as venueNameOf } from '../../common/record.ts';
