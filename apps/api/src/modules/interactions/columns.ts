import { interactions } from '@atrium/db';
import { getTableColumns } from '@atrium/db/orm';

const { searchVector: _searchVector, ...columns } = getTableColumns(interactions);
/** Every column but the search vector, which no response needs. */
export const interactionColumns = columns;
