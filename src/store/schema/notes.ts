// Tables of the notes feature.
export {};
