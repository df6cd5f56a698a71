-- A data fix, hand-written (Drizzle cannot express one): a side whose last message its participant
-- had deleted now points at their latest message still visible to them, or at none.
UPDATE "conversation_participants" s SET "last_message_id" = (
  SELECT m."id" FROM "messages" m
  WHERE m."conversation_id" = s."conversation_id"
    AND ((m."sender_id" = s."user_id" AND NOT m."deleted_for_sender")
      OR (m."recipient_id" = s."user_id" AND NOT m."deleted_for_recipient"))
  ORDER BY m."id" DESC LIMIT 1
)
WHERE EXISTS (
  SELECT FROM "messages" m
  WHERE m."id" = s."last_message_id"
    AND ((m."sender_id" = s."user_id" AND m."deleted_for_sender")
      OR (m."recipient_id" = s."user_id" AND m."deleted_for_recipient"))
);
