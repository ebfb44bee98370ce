// Package merchants keeps the 门前三包 register: the shops (商户) of the district with their frontage,
// the pledge each has signed for it (责任书), the person who checks each shop (包户到人) and the daily
// inspections (每日巡查), with the repeat offenders they reveal handed to the incident workflow for joint
// enforcement, and the mobile vendors (流动摊贩) and their sightings.
//
// It owns the merchant tables (migrations 0019 on) and is the only package that writes them; others
// read the views it documents in ARCHITECTURE.md.
package merchants
