// Tables of the notices feature.
export {};
